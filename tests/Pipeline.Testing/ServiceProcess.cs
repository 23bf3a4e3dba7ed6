using System.Diagnostics;
using System.Text;

namespace Pipeline.Testing;

/// <summary>
/// One of our services run as a real process from its build output, for tests that kill it (<c>kill -9</c>) or
/// need it isolated from the test process.
/// </summary>
public sealed class ServiceProcess(string assemblyName, IReadOnlyDictionary<string, string> environment)
{
    private static readonly Dictionary<string, string> ServiceFolders = new()
    {
        ["Pipeline.Opportunity"] = "services/Opportunity",
        ["Pipeline.Automation"] = "services/Automation",
        ["Pipeline.Notification"] = "services/Notification",
        ["Pipeline.Reporting"] = "services/Reporting",
        ["Pipeline.Identity"] = "services/Identity",
        ["Pipeline.Gateway"] = "gateway/Pipeline.Gateway",
    };

    public string AssemblyPath
    {
        get
        {
            // Tests and services are built with the same configuration: bin/<Configuration>/net10.0.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            return Path.Combine(TestServers.RepositoryRoot, ServiceFolders[assemblyName], "bin", configuration, framework.Name, assemblyName + ".dll");
        }
    }

    public Running Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new Running(Process.Start(start) ?? throw new InvalidOperationException($"{assemblyName} did not start"));
    }

    public async Task RunToCompletionAsync(params string[] arguments)
    {
        using var running = Start(arguments);
        await running.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (running.Process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{assemblyName} {string.Join(' ', arguments)} exited with {running.Process.ExitCode}:\n{running.Output}");
        }
    }

    public sealed class Running : IDisposable
    {
        private readonly StringBuilder _output = new();

        public Running(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, line) => Append(line.Data);
            process.ErrorDataReceived += (_, line) => Append(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>SIGKILL: no shutdown, no flush, no chance to release anything; as a crash or an OOM kill.</summary>
        public void Kill()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Kill();
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
