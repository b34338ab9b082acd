# One image for the backend and the worker; `docker compose up` runs both.
FROM python:3.11-slim
WORKDIR /app
ENV KERAS_BACKEND=torch PYTHONUNBUFFERED=1 BATTLEFIELD_DATA_DIR=/data
COPY pyproject.toml README.md ./
COPY backend backend
COPY worker worker
COPY frontend frontend
RUN pip install --no-cache-dir . psycopg[binary]
EXPOSE 8000
CMD ["python", "-m", "backend", "--host", "0.0.0.0", "--port", "8000"]
