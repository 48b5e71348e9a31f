u = f"{f'{f"{response_type!r:>{width}}"}'}"
v = f"{code_verifier=}"
w = rf"\{x}{{"
