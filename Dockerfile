# One image for the backend and the workers (docker-compose.yml). PyPI's torch wheel for Linux carries
# its CUDA libraries, so the same image trains on an NVIDIA GPU under the NVIDIA container toolkit.
FROM python:3.11-slim
WORKDIR /app
ENV KERAS_BACKEND=torch PYTHONUNBUFFERED=1 BATTLEFIELD_DATA_DIR=/data
COPY pyproject.toml README.md ./
COPY backend backend
COPY worker worker
COPY frontend frontend
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["python", "-m", "backend", "--host", "0.0.0.0", "--port", "8000"]
