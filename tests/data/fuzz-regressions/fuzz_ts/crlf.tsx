// skillaudit-ignore
const p = new URLSearchParams({ response_type: "code" });
export const C = () => <a>{/* skillaudit-ignore: no-state-parameter */}</a>;
