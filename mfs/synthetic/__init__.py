"""Synthetic CRM, web and ad exports with a planted, exactly computable ground truth."""
