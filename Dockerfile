# Multi-stage, non-root, CPU-only torch; the models and their int8 export ship inside the image, so nothing
# is downloaded or exported at run time.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Optional extras of the project: EXTRAS=distributed adds the Ray engine.
ARG EXTRAS=""
# The same two steps as `make install`: torch first, pinned, from PyTorch's CPU index (any other torch
# requirement pulls the CUDA build), then the project.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY pipelines ./pipelines
COPY service ./service
# Then the int8 export (`CLAIMGRAPH_INFERENCE=onnx-int8`), made once here instead of on first use.
RUN /opt/venv/bin/pip install ".${EXTRAS:+[$EXTRAS]}" \
    && /opt/venv/bin/claimgraph export-onnx --out /opt/onnx --quiet

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 claimgraph \
    && mkdir /data && chown claimgraph /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/onnx /opt/onnx
COPY corpus /app/corpus
WORKDIR /app
# The SQLite store lives in /data (writable by the service user; mount a volume there to keep it),
# or point CLAIMGRAPH_DATABASE_URL at PostgreSQL.
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CLAIMGRAPH_DATABASE_URL=sqlite:////data/claimgraph.db CLAIMGRAPH_ONNX_DIR=/opt/onnx
# By uid: a numeric user resolves whatever the host's user names are.
USER 10001
# The team's corpus is ingested at build time, so the image serves its claims from the first start.
RUN claimgraph ingest corpus --quiet
EXPOSE 8000
# Liveness over HTTP with the image's own Python (no curl in a slim image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CLAIMGRAPH_PORT', '8000') + '/healthz', timeout=4)"]
ENTRYPOINT ["claimgraph"]
CMD ["serve", "--host", "0.0.0.0"]
