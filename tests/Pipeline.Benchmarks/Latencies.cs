namespace Pipeline.Benchmarks;

/// <summary>Percentiles of a set of measured durations, in milliseconds.</summary>
public sealed class Latencies(IEnumerable<double> milliseconds)
{
    private readonly double[] _sorted = milliseconds.Order().ToArray();

    public int Count => _sorted.Length;

    public IReadOnlyList<double> All => _sorted;

    public double Percentile(double p) =>
        _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(p / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    public override string ToString() =>
        $"n={Count} p50={Percentile(50):0.00} ms p95={Percentile(95):0.00} ms p99={Percentile(99):0.00} ms max={Percentile(100):0.00} ms";
}
