using System.Globalization;

namespace Pipeline.Benchmarks;

/// <summary>
/// The CPU time used by each part of the system, read from Linux's <c>/proc</c>: a snapshot before and after a
/// round gives what one request cost each process, PostgreSQL and RabbitMQ included. CPU time is far steadier
/// than latency on a shared machine, and it says what two cores can carry at most.
/// </summary>
public sealed record MachineCpu(IReadOnlyDictionary<string, TimeSpan> ByPart)
{
    // USER_HZ: the unit of /proc's times, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    /// <summary>
    /// The CPU of the processes <paramref name="isRoot"/> picks by command line, and of every process they started
    /// however deep, and nothing else: the machine is shared with other checkouts' builds and tests. A child that ended
    /// is still counted, in its parent's time for waited-for children.
    /// </summary>
    public static MachineCpu ReadTrees(Func<int, string, bool> isRoot)
    {
        var processes = new Dictionary<int, (int Parent, string Part, string CommandLine, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var command = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                // After the command: the parent is field 4; utime, stime, cutime and cstime fields 14 to 17.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture));
                processes[id] = (int.Parse(fields[1], CultureInfo.InvariantCulture), PartOf(command, commandLine), commandLine, ticks);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        var children = processes.ToLookup(p => p.Value.Parent, p => p.Key);
        var counted = new HashSet<int>();
        var pending = new Stack<int>(processes.Where(p => isRoot(p.Key, p.Value.CommandLine)).Select(p => p.Key));
        var byPart = new Dictionary<string, TimeSpan>();
        while (pending.TryPop(out var id))
        {
            if (!counted.Add(id) || !processes.TryGetValue(id, out var process))
            {
                continue;
            }

            byPart[process.Part] = byPart.GetValueOrDefault(process.Part) + TimeSpan.FromSeconds(process.Ticks / TicksPerSecond);
            foreach (var child in children[id])
            {
                pending.Push(child);
            }
        }

        return new MachineCpu(byPart);
    }

    public static MachineCpu Read()
    {
        var byPart = new Dictionary<string, TimeSpan>();
        foreach (var process in Processes())
        {
            byPart[process.Part] = byPart.GetValueOrDefault(process.Part) + process.Cpu;
        }

        return new MachineCpu(byPart);
    }

    /// <summary>
    /// Like <see cref="Read"/>, counting only this run's processes: the benchmark and what it started (the services),
    /// and the PostgreSQL and RabbitMQ of this run's test servers (eng/infra/test-servers.sh, whose data directory
    /// names the run's PostgreSQL port), with their children. On a machine shared with other runs, theirs are left out.
    /// </summary>
    public static MachineCpu ReadOwn()
    {
        var marker = $"/pipeline-cloud/test-{Environment.GetEnvironmentVariable("PIPELINE_TEST_PG_PORT") ?? "55433"}/";
        var processes = Processes();
        var own = processes.Where(p => p.Id == Environment.ProcessId || p.CommandLine.Contains(marker, StringComparison.Ordinal))
            .Select(p => p.Id).ToHashSet();
        var children = processes.ToLookup(p => p.Parent);
        var pending = new Stack<int>(own);
        while (pending.TryPop(out var parent))
        {
            foreach (var child in children[parent])
            {
                if (own.Add(child.Id))
                {
                    pending.Push(child.Id);
                }
            }
        }

        // With the CPU of the children they reaped (PostgreSQL's backends of closed connections, ended processes):
        // gone from /proc, it would otherwise drop out of the total between two readings.
        var byPart = new Dictionary<string, TimeSpan>();
        foreach (var process in processes.Where(p => own.Contains(p.Id)))
        {
            byPart[process.Part] = byPart.GetValueOrDefault(process.Part) + process.Cpu + process.ReapedChildrenCpu;
        }

        return new MachineCpu(byPart);
    }

    private sealed record ProcessCpu(int Id, int Parent, string Part, string CommandLine, TimeSpan Cpu, TimeSpan ReapedChildrenCpu);

    private static List<ProcessCpu> Processes()
    {
        var processes = new List<ProcessCpu>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var command = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                // After the command: state is field 3, the parent field 4, utime and stime are fields 14 and 15, the
                // reaped children's cutime and cstime 16 and 17.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var childTicks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                processes.Add(new ProcessCpu(id, int.Parse(fields[1], CultureInfo.InvariantCulture), PartOf(command, commandLine), commandLine,
                    TimeSpan.FromSeconds(ticks / TicksPerSecond), TimeSpan.FromSeconds(childTicks / TicksPerSecond)));
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return processes;
    }

    /// <summary>Milliseconds of CPU per operation between <paramref name="before"/> and now, the busiest part first.</summary>
    public string PerOperationSince(MachineCpu before, int operations)
    {
        string Milliseconds(TimeSpan span) => (span.TotalMilliseconds / operations).ToString("0.00", CultureInfo.InvariantCulture);
        var parts = ByPart
            .Select(part => (part.Key, Used: part.Value - before.ByPart.GetValueOrDefault(part.Key)))
            .Where(part => part.Used > TimeSpan.Zero)
            .OrderByDescending(part => part.Used)
            .ToList();
        var total = parts.Aggregate(TimeSpan.Zero, (sum, part) => sum + part.Used);
        return $"all {Milliseconds(total)} = {string.Join(", ", parts.Select(part => $"{part.Key} {Milliseconds(part.Used)}"))}";
    }

    private static string PartOf(string command, string commandLine) => command switch
    {
        "postgres" => "PostgreSQL",
        "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" => "RabbitMQ",
        _ when commandLine.Contains("Pipeline.Opportunity", StringComparison.Ordinal) => "opportunity service",
        _ when commandLine.Contains("Pipeline.Gateway", StringComparison.Ordinal) => "gateway",
        _ when commandLine.Contains("Pipeline.Reporting", StringComparison.Ordinal) => "reporting service",
        _ when commandLine.Contains("Pipeline.Notification", StringComparison.Ordinal) => "notification service",
        _ when commandLine.Contains("Pipeline.Automation", StringComparison.Ordinal) => "automation service",
        _ when commandLine.Contains("Pipeline.Identity", StringComparison.Ordinal) => "identity",
        _ when commandLine.Contains("Pipeline.Automation", StringComparison.Ordinal) => "automation service",
        _ when commandLine.Contains("Pipeline.Web", StringComparison.Ordinal) => "web UI",
        _ when command.StartsWith("chrom", StringComparison.Ordinal) || commandLine.Contains("playwright", StringComparison.OrdinalIgnoreCase) => "browser",
        _ when commandLine.Contains("Pipeline.Benchmarks", StringComparison.Ordinal) => "load generator",
        _ => "other",
    };
}
