# Proxi in one container: nginx on port 8501 in front of one Streamlit process per core
# (`python -m proxi serve`, proxi/ops/serve.py), data in the /app/progress volume.
FROM python:3.11-slim

# The reverse proxy with sticky sessions and websockets (proxi/ops/nginx.conf).
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Absolute paths: the data and the content stay put whichever copy of `proxi` is imported
# (the one in /app, or the one pip installed). Other settings: docs/exploitation.md.
ENV PROXI_DB=/app/progress/progress.db \
    PROXI_MODULES_DIR=/app/modules \
    PROXI_SCENARIOS_DIR=/app/scenarios
WORKDIR /app

COPY pyproject.toml README.md ./
COPY proxi ./proxi
RUN pip install .

COPY app.py ./
COPY app_pages ./app_pages
COPY modules ./modules
COPY scenarios ./scenarios
COPY .streamlit ./.streamlit
COPY progress/README.md ./progress/README.md

RUN useradd --create-home proxi && chown -R proxi /app/progress /app/scenarios
USER proxi
VOLUME ["/app/progress"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

# $PROXI_PROCESSES processes (default: one per core the container may use).
CMD ["python", "-m", "proxi", "serve", "--address", "0.0.0.0", "--port", "8501"]
