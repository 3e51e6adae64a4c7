# Multi-stage, non-root, CPU-only torch; the models ship inside the image (nothing is downloaded at run time).
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
# torch first and pinned: any other torch requirement pulls the CUDA wheels.
RUN /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY pipelines ./pipelines
COPY service ./service
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 claimgraph
COPY --from=build /opt/venv /opt/venv
COPY corpus /app/corpus
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
USER claimgraph
ENTRYPOINT ["claimgraph"]
CMD ["extract", "corpus", "--format", "table"]
