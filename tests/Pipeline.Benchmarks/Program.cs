using Pipeline.Benchmarks;

// Each scenario prints its figures and the baseline measured in the same run; see docs/performance.md.
var scenarios = new Dictionary<string, Func<Task>>
{
    ["outbox"] = OutboxDispatchBenchmark.RunAsync,
    ["gateway"] = GatewayOverheadBenchmark.RunAsync,
    ["writes"] = OpportunityWritesBenchmark.RunWritesAsync,
    ["board"] = OpportunityWritesBenchmark.RunBoardAsync,
    ["reports"] = ReportingBenchmark.RunReportsAsync,
    ["review"] = ReportingBenchmark.RunReviewAsync,
    ["lag"] = ReportingBenchmark.RunLagAsync,
    ["import"] = ImportBenchmark.RunAsync,
    ["stream"] = NotificationBenchmark.RunStreamAsync,
    ["webhooks"] = NotificationBenchmark.RunWebhooksAsync,
    ["web"] = WebBoardBenchmark.RunAsync,
    ["dashboard"] = WebDashboardBenchmark.RunAsync,
    ["automation-eval"] = AutomationBenchmark.RunEvaluationAsync,
    ["automation-due"] = AutomationBenchmark.RunDueAsync,
    ["automation-simulate"] = AutomationBenchmark.RunSimulationAsync,
};

var selected = args.Length == 0 ? scenarios.Keys.ToArray() : args;
foreach (var name in selected)
{
    if (!scenarios.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown scenario '{name}'. Scenarios: {string.Join(", ", scenarios.Keys)}");
        return 2;
    }

    Console.WriteLine($"== {name} ==");
    await run();
}

return 0;
