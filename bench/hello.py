"""The baseline: a bare Flask "hello world", served with the same gunicorn settings as the app."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
