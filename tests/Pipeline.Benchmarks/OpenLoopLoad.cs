using System.Diagnostics;

namespace Pipeline.Benchmarks;

/// <summary>
/// Sends requests at a fixed rate whatever the response times (an open loop, as real users arrive), so a slow
/// response delays nothing behind it and the latencies are not flattered by coordinated omission.
/// </summary>
public static class OpenLoopLoad
{
    public sealed record Result(Latencies Latencies, int Failures, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(Func<Task<bool>> request, int perSecond, TimeSpan duration)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var index = i;
            pending.Add(Task.Run(async () =>
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await request();
                latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }

        await Task.WhenAll(pending);
        return new Result(new Latencies(latencies), failures, clock.Elapsed);
    }
}
