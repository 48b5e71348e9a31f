//! Which writes build a receiver's parameters: `.set(key, value)`, `.append`, `x.key = v`, `x["key"] = v`,
//! and the writes of a variable that holds or wraps another.

use tree_sitter::Node;

use super::analysis::{Analysis, Write};
use crate::analysis::eval::Params;
use crate::analysis::{Arg, Ctx, Dialect, View};

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    pub(super) fn collect_writes(&mut self) {
        let ctx = self.ctx;
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
                continue;
            };
            let scope = self.group_scope(call);
            let mut push = |receiver: Node<'t>, write: Write<'t>| {
                let key = (scope, self.receiver_key(receiver));
                self.writes.entry(key).or_default().push(write);
            };
            match property {
                "set" | "append" | "setdefault" => {
                    let Some(Arg::Positional(k)) = args.first().copied() else {
                        continue;
                    };
                    let value = Ctx::<D>::arg(&args, 1, "");
                    push(
                        object,
                        Write {
                            key: ctx.string_value(k),
                            key_node: k,
                            value,
                        },
                    );
                }
                "update" => {
                    for a in args.iter() {
                        match *a {
                            Arg::Positional(obj) => match ctx.object_params(obj, 0) {
                                Some(p) => {
                                    let unknown = p.unknown;
                                    for (k, kn, v) in p.keys {
                                        push(
                                            object,
                                            Write {
                                                key: Some(k),
                                                key_node: kn,
                                                value: v,
                                            },
                                        );
                                    }
                                    if unknown {
                                        push(
                                            object,
                                            Write {
                                                key: None,
                                                key_node: obj,
                                                value: None,
                                            },
                                        );
                                    }
                                }
                                None => push(
                                    object,
                                    Write {
                                        key: None,
                                        key_node: obj,
                                        value: None,
                                    },
                                ),
                            },
                            Arg::Keyword(k, v) => push(
                                object,
                                Write {
                                    key: Some(k.to_string()),
                                    key_node: v,
                                    value: Some(v),
                                },
                            ),
                            Arg::Spread(n) => push(
                                object,
                                Write {
                                    key: None,
                                    key_node: n,
                                    value: None,
                                },
                            ),
                        }
                    }
                }
                "assign" if ctx.qualify(object, 0).as_deref() == Some("Object") => {
                    let Some(Arg::Positional(target)) = args.first().copied() else {
                        continue;
                    };
                    for a in args.iter().skip(1) {
                        let Arg::Positional(obj) = *a else {
                            push(
                                target,
                                Write {
                                    key: None,
                                    key_node: target,
                                    value: None,
                                },
                            );
                            continue;
                        };
                        match ctx.object_params(obj, 0) {
                            Some(p) => {
                                if p.unknown {
                                    push(
                                        target,
                                        Write {
                                            key: None,
                                            key_node: obj,
                                            value: None,
                                        },
                                    );
                                }
                                for (k, kn, v) in p.keys {
                                    push(
                                        target,
                                        Write {
                                            key: Some(k),
                                            key_node: kn,
                                            value: v,
                                        },
                                    );
                                }
                            }
                            None => push(
                                target,
                                Write {
                                    key: None,
                                    key_node: obj,
                                    value: None,
                                },
                            ),
                        }
                    }
                }
                _ => {}
            }
        }
        for w in &ctx.ix.member_writes {
            let target = ctx.unwrap(w.target);
            let (object, key) = match ctx.view(target) {
                View::Member { object, property } => (object, Some(property.to_string())),
                View::Index { object, index } => (object, ctx.string_value(index)),
                _ => continue,
            };
            let scope = self.group_scope(w.node);
            let rk = self.receiver_key(object);
            self.writes.entry((scope, rk)).or_default().push(Write {
                key,
                key_node: target,
                value: Some(w.value),
            });
        }
    }

    /// Adds the writes made, in the same function, to the variable that holds `node` (and to variables that
    /// wrap it: `new URLSearchParams(params)`, `url.searchParams` of `new URL(...)`).
    pub(super) fn add_holder_writes(&self, node: Node<'t>, params: &mut Params<'t>) {
        let mut holders = Vec::new();
        if let Some(var) = self.holder(node) {
            holders.push(var.to_string());
        }
        // A variable passed directly (`buildAuthorizationUrl(config, parameters)`).
        if let View::Ident(name) = self.ctx.view(self.ctx.unwrap(node)) {
            holders.push(name.to_string());
        }
        self.add_writes_of(holders, self.group_scope(node), node, params);
    }

    /// Adds the writes made in `scope` to the variables `holders`, to their `.searchParams`, and to variables
    /// that wrap them (`new URLSearchParams(params)`). A request sent as a pushed authorization request
    /// (RFC 9126) gets `request_uri`: its parameters go over the back channel, the browser only carries that.
    pub(super) fn add_writes_of(
        &self,
        mut holders: Vec<String>,
        scope: usize,
        at: Node<'t>,
        params: &mut Params<'t>,
    ) {
        let mut i = 0;
        while i < holders.len() && i < 8 {
            let holder = holders[i].clone();
            let wrappers = self
                .wrapping
                .get(&(scope, holder.as_str()))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            self.visited.set(self.visited.get() + wrappers.len());
            for &bound in wrappers {
                if !holders.iter().any(|h| h == bound) {
                    holders.push(bound.to_string());
                }
            }
            i += 1;
        }
        if holders.iter().any(|h| self.pushed.contains(h.as_str())) {
            params.add("request_uri".to_string(), at, None);
        }
        for h in holders {
            for receiver in [h.to_string(), format!("{h}.searchParams")] {
                for w in self
                    .writes
                    .get(&(scope, receiver))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    match &w.key {
                        Some(k) => params.add(k.clone(), w.key_node, w.value),
                        None => params.unknown = true,
                    }
                }
            }
        }
    }
}
