const A = () => <a href={`/authorize?response_type=code`}>{/* skillaudit-ignore */}</a>;
