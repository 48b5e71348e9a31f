url = f"""/authorize?response_type=code
{state
