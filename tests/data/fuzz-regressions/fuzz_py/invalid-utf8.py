# -*- coding: latin-1 -*-
params = {"response_type": "café"}
