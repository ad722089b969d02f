"""The HTTP edge: login-cookie routes and the French page shell, mounted by app.py."""
