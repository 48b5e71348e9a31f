/ // skillaudit-ignore
/// skillaudit-ignore: no-state-parameter
/ // skillaudit-ignore
/ // skillaudit-ignore
/﻿/* skillaudit-ignore */
const p = { response_type: "code" };
