// Keeps the HydrantCLITests target buildable until the CLI tests land; delete when they do.
