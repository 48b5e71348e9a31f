# skillaudit-ignore: no-state-parameter
query = urlencode({
    "response_type": "code",  # skillaudit-ignore
})
