"""Spoken prompts: what each tenant's greeting and announcements say, rendered to WAV files."""

from pbx_bridge.sounds.layout import prompt_path
from pbx_bridge.sounds.prompts import Prompt, PromptPlan, missing_prompts, plan_prompts
from pbx_bridge.sounds.render import (
    BuildResult,
    Outcome,
    PromptResult,
    RenderError,
    ToolMissingError,
    build_sounds,
)

__all__ = [
    "BuildResult",
    "Outcome",
    "Prompt",
    "PromptPlan",
    "PromptResult",
    "RenderError",
    "ToolMissingError",
    "build_sounds",
    "missing_prompts",
    "plan_prompts",
    "prompt_path",
]
