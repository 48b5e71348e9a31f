params = {"response_type": "code", "state": ("abc
