"""Click commands, one module per area, loaded only when the command runs.

:data:`COMMANDS` is the one place a command is registered: its name, where it lives
(``module:attribute``) and the one-line help ``customsnet --help`` lists. The listing is read
from here so that ``--help`` imports no command module (and so neither numpy, pandas nor the
Neo4j driver); ``tests/commands/test_cli_startup.py`` checks that each entry loads a command
of that name. Adding a command is one line.
"""

from __future__ import annotations

# name -> (module:attribute of the click command or group, short help for the listing)
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("customsnet.commands.db:db", "Start, stop and inspect the Neo4j server."),
    "load": ("customsnet.commands.load:load_command", "Load source files into the graph."),
    "unload": ("customsnet.commands.db:unload_command", "Delete every fact one loaded source provided."),
    "query": ("customsnet.commands.query:query_command", "Run a named query read-only."),
    "cypher": ("customsnet.commands.query:cypher_command", "Run ad hoc Cypher, read-only unless --write."),
    "fit": ("customsnet.commands.fit:fit_command", "Fit a TERGM and save the result."),
    "predict": ("customsnet.commands.evaluate:predict_command", "Out-of-sample tie prediction."),
    "gof": ("customsnet.commands.evaluate:gof_command", "Goodness of fit by simulation."),
    "interpret": ("customsnet.commands.evaluate:interpret_command", "Tie probabilities and covariate effects."),
    "sensitivity": ("customsnet.commands.robustness:sensitivity_command", "Refit with a share of ties rewired."),
    "timetrend": ("customsnet.commands.robustness:timetrend_command", "Covariate x time interaction model."),
    "coefplot": ("customsnet.commands.robustness:coefplot_command", "Coefficient plot of saved fits."),
    "table": (
        "customsnet.commands.table:table_command",
        "Regression table of saved fits (LaTeX, HTML, Markdown, CSV).",
    ),
    "compare": ("customsnet.commands.compare:compare_command", "MPLE vs MCMC-MLE (any estimators) side by side."),
    "demo": ("customsnet.commands.demo:demo_command", "The SYNTHETIC demo world end to end."),
    "run": ("customsnet.commands.demo:run_command", "The study on real source files end to end."),
    "report": ("customsnet.commands.demo:report_command", "Rebuild the HTML report of a run."),
    "degeneracy": (
        "customsnet.commands.degeneracy:degeneracy_command",
        "Simulate from a fit: observed vs simulated statistics per year.",
    ),
}
