const params = new URLSearchParams({ response_type: "code" }); // skillaudit-ignore
