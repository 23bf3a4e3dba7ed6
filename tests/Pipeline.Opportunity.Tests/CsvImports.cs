using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>How the tests upload CSV files, wait for the import job and read exported CSV.</summary>
public static class CsvImports
{
    public const string NativeHeader =
        "title,accountName,contactName,contactEmail,amount,currency,pipeline,stage,status,expectedDecisionDate,createdAt,closedAt,lostReason,ownerEmail,source,segment";

    /// <summary>A CSV line, quoting the fields that need it (RFC 4180).</summary>
    public static string Line(params string?[] fields) => string.Join(",", fields.Select(f =>
        f is null ? "" : f.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f));

    public static Task<HttpResponseMessage> PostCsvAsync(this HttpClient client, string csv, string? options = null) =>
        client.PostAsync(
            "/api/opportunities/import" + (options is null ? "" : "?options=" + Uri.EscapeDataString(options)),
            new StringContent(csv, Encoding.UTF8, "text/csv"));

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, byte[] csv, string? options)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "export.csv");
        if (options is not null)
        {
            form.Add(new StringContent(options, Encoding.UTF8, "application/json"), "options");
        }

        return client.PostAsync("/api/opportunities/import", form);
    }

    /// <summary>Posts a file and waits for its job to end; returns the final job.</summary>
    public static async Task<JsonElement> ImportAsync(this HttpClient client, string csv, string? options = null, TimeSpan? timeout = null) =>
        await client.FinishedAsync(await client.PostCsvAsync(csv, options), timeout);

    public static async Task<JsonElement> FinishedAsync(this HttpClient client, HttpResponseMessage accepted, TimeSpan? timeout = null)
    {
        if (accepted.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"{(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
        }

        var location = accepted.Headers.Location!.ToString();
        return await Eventually.Until(
            async () => await (await client.GetAsync(location)).ReadAsync<JsonElement>(),
            job => job.Str("status") != "running",
            timeout ?? TimeSpan.FromSeconds(30),
            $"the import {location} ends");
    }

    public static (int Line, string Message)[] Errors(this JsonElement job) =>
        job.GetProperty("errors").EnumerateArray().Select(e => (e.Int("line"), e.Str("message")!)).ToArray();

    /// <summary>The records of a CSV text (header first), as an importer would read them.</summary>
    public static List<string[]> Records(string csv)
    {
        using var reader = CsvReader.FromText(csv, new CsvReaderOptions { HasHeader = false, Separator = ',' });
        var records = new List<string[]>();
        while (reader.Read())
        {
            records.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i) ?? "").ToArray());
        }

        return records;
    }

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
