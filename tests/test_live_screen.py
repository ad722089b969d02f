"""The projector's type scale: full size when a scene is short, smaller when it is long."""

from proxi.live import screen


def test_a_short_scene_keeps_the_full_size():
    blocks = [screen.Block("Le hall", screen.TITLE), screen.Block("A. Vous dites bonsoir.")]
    assert screen.type_scale(blocks) == 1.0


def test_a_long_scene_shrinks_until_it_fits():
    long_option = "Vous vous approchez et vous demandez à Samir de faire de la place. " * 3
    blocks = [screen.Block(long_option, bar=True) for _ in range(7)]
    scale = screen.type_scale(blocks)
    assert screen.SMALLEST < scale < 1
    assert screen.height(blocks, scale) <= screen.USABLE_HEIGHT
    assert screen.height(blocks, scale + screen.STEP) > screen.USABLE_HEIGHT


def test_the_scale_never_goes_below_what_a_room_can_read():
    blocks = [screen.Block("mot " * 2000)]
    assert screen.type_scale(blocks) == screen.SMALLEST
