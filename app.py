"""Proxi's entry point.

`streamlit run app.py` finds the `st.App` below and serves it (with our login-cookie
routes, the phones' version route: app_pages/phone_watch.py, and the page shell in French:
proxi/web/language.py); Streamlit then runs this same file as the page script, with
__name__ "__main__".
"""

import streamlit as st

if __name__ == "__main__":
    from app_pages.shell import run

    run()
else:
    from starlette.middleware import Middleware

    from app_pages import phone_watch, shell, ui
    from proxi.web.auth import auth_routes
    from proxi.web.edge import DeviceCookie, NoFraming
    from proxi.web.language import FrenchPage
    from proxi.web.memory import cap_malloc_arenas, freeze_warm_heap

    cap_malloc_arenas()  # before the first script run's thread: proxi/web/memory.py
    # Once, before any session: modules and content out of the collector's scans.
    freeze_warm_heap(("proxi", "app_pages"), skip=shell.PAGE_SCRIPTS, warm=ui.catalogue)

    app = st.App(
        "app.py",
        routes=[*auth_routes(), *phone_watch.routes()],
        middleware=[Middleware(NoFraming), Middleware(DeviceCookie), Middleware(FrenchPage)],
    )
