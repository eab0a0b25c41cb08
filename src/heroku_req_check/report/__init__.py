"""Reporters: each turns a Report into what one audience reads. None re-derives facts."""
