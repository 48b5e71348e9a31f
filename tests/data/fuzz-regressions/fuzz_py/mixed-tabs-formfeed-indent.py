def f():
	if x:
          y = "response_type"
	  	code_verifier = "plain"
  return 1
