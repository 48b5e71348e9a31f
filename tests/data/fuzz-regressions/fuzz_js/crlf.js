// skillaudit-ignore: no-state-parameter
const params = new URLSearchParams({
  response_type: "code", // skillaudit-ignore
  client_id: "c",
});
