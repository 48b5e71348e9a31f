#!/usr/bin/env node // skillaudit-ignore
const p = { response_type: "code" };
