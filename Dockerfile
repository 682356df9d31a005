# reassess: one image, the `reassess` command as entry point.
# Build: docker build -t reassess .     Run: docker run -p 8000:8000 -v reassess-var:/app/var reassess
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1
COPY requirements.lock pyproject.toml README.md ./
COPY app ./app
RUN pip install -c requirements.lock .

FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 reassess
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
COPY surveys ./surveys
COPY locales ./locales
RUN mkdir -p var && chown reassess var
ENV PATH=/opt/venv/bin:$PATH REASSESS_HOME=/app PYTHONUNBUFFERED=1
USER reassess
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
ENTRYPOINT ["reassess"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
