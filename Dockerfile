FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY connection ./connection
COPY pulse ./pulse
COPY rituals ./rituals
COPY mentorship ./mentorship
COPY insights ./insights
COPY identity ./identity
COPY chat ./chat
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --create-home hearth && mkdir -p /app/var && chown hearth /app/var
USER hearth
EXPOSE 8000
CMD ["gunicorn", "connection.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
