const A = () => <div title={`${response_type}`}><b>{code_verifier.slice(0, 8)
