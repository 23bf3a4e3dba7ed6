namespace Pipeline.Automation.Scheduling;

/// <summary>Section <c>Automation</c> of the configuration.</summary>
public sealed class AutomationOptions
{
    /// <summary>How often stale deals and near decision dates are looked for.</summary>
    public TimeSpan TimeTriggerInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Due runs claimed and fired per transaction.</summary>
    public int SchedulerBatchSize { get; set; } = 250;

    /// <summary>
    /// The longest the scheduler sleeps between looks at the due runs (less when one is due sooner). Another
    /// replica's newly scheduled run is seen within this, so it bounds how late an action due soon fires.
    /// </summary>
    public TimeSpan SchedulerMaxIdle { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Set to false for a replica that serves the API and consumes events but fires nothing (tests, benchmarks).</summary>
    public bool SchedulerEnabled { get; set; } = true;

    public bool TimeTriggersEnabled { get; set; } = true;
}
