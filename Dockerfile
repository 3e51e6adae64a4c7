# Multi-stage, non-root, CPU-only torch; the models ship inside the image (nothing is downloaded at run time).
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1
# torch first and pinned: any other torch requirement pulls the CUDA wheels.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY pipelines ./pipelines
COPY service ./service
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 claimgraph \
    && mkdir /data && chown claimgraph /data
COPY --from=build /opt/venv /opt/venv
COPY corpus /app/corpus
WORKDIR /app
# The SQLite store lives in /data (writable by the service user; mount a volume there to keep it),
# or point CLAIMGRAPH_DATABASE_URL at PostgreSQL.
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CLAIMGRAPH_DATABASE_URL=sqlite:////data/claimgraph.db
# By uid: a numeric user resolves whatever the host's user names are.
USER 10001
# The team's corpus is ingested at build time, so the image serves its claims from the first start.
RUN claimgraph ingest corpus
EXPOSE 8000
# Liveness over HTTP with the image's own Python (no curl in a slim image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CLAIMGRAPH_PORT', '8000') + '/healthz', timeout=4)"]
ENTRYPOINT ["claimgraph"]
CMD ["serve", "--host", "0.0.0.0"]
