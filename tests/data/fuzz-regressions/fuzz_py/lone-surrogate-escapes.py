code_verifier = "\ud800" + "\udc00" + b"\xff".decode()
params = {"response_type": "code\ud800", "code_challenge_method": "pl\N{LATIN SMALL LETTER A}in"}
