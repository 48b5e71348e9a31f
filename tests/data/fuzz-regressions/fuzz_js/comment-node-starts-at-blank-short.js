/ // skillaudit-ignore
/// skillaudit-ignore: no-state-parameter
const p = { response_type: "code" };
