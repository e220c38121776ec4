# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY rules ./rules
COPY storage ./storage
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN groupadd --gid 10001 kakehashi \
 && useradd --create-home --uid 10001 --gid 10001 kakehashi \
 && mkdir -p /app/data && chown kakehashi:kakehashi /app/data
COPY --from=build /install /usr/local
WORKDIR /app
COPY --chown=kakehashi:kakehashi bot/data/rules.yaml /app/rules.yaml
# numeric, so Kubernetes' runAsNonRoot can verify it is not root
USER 10001:10001
ENV KAKEHASHI_RULES=/app/rules.yaml \
    DATABASE_URL=sqlite:////app/data/kakehashi.db \
    KAKEHASHI_DATA_DIR=/app/data \
    PORT=3000 \
    PYTHONUNBUFFERED=1
# the rules are checked at build time: a broken rules.yaml never becomes an image
RUN kakehashi rules check /app/rules.yaml
VOLUME /app/data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)"
CMD ["kakehashi", "serve"]
