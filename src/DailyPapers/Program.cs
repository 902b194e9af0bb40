return await DailyPapers.Cli.CliApp.RunAsync(args);
