const params = { response_type: "code" };
// ÿþ â‚
