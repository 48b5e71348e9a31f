//! Code verifiers: where their value comes from (entropy) and where it is stored (scope).

use super::{Ctx, Dialect};
use crate::facts::FileFacts;

pub fn extract<D: Dialect>(_ctx: &Ctx<'_, '_, D>, _facts: &mut FileFacts) {}
