/,/ t,/ // skillaudit-ignorei
