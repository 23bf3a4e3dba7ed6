using CsvHelper;

namespace Pipeline.Opportunity.Import;

/// <summary>One record of an import file: the line it starts on (the header is line 1) and its fields.</summary>
public sealed record ImportRecord(int Line, string[] Fields);

/// <summary>Why one line of an import file was not imported.</summary>
public sealed record RowError(int Line, string Message);

/// <summary>
/// Reads an uploaded CSV file (RFC 4180: quoted fields with delimiters, quotes and line breaks; CRLF or LF; a byte
/// order mark) record by record, keeping the line each record starts on for error reports. A record with broken
/// quoting is not returned but reported, with its line, by <see cref="TakeMalformed"/>.
/// </summary>
public sealed class ImportFile : IAsyncDisposable
{
    /// <summary>Guards against one unclosed quote turning the rest of a large file into a single record.</summary>
    private const int MaxRecordBytes = 1024 * 1024;

    private readonly CsvReader _reader;
    private readonly List<RowError> _malformed = [];

    private ImportFile(string path, char delimiter)
    {
        _reader = CsvReader.FromFile(path, new CsvReaderOptions
        {
            Separator = delimiter,
            HasHeader = true,
            TrackLineNumbers = true,
            MaxRecordSize = MaxRecordBytes,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = record => _malformed.Add(new RowError((int)record.LineNumber, Describe(record.Reason))),
        });
    }

    public static ImportFile Open(string path, char delimiter) => new(path, delimiter);

    /// <summary>The header's column names; empty for an empty file.</summary>
    public async Task<IReadOnlyList<string>> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await _reader.ReadHeaderAsync(cancellationToken);
        var header = _reader.Headers;
        return header.All(string.IsNullOrWhiteSpace) ? [] : header;
    }

    public async Task<ImportRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await _reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var fields = new string[_reader.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = _reader.GetString(i) ?? string.Empty;
        }

        return new ImportRecord((int)_reader.LineNumber, fields);
    }

    /// <summary>Counts the records left (those with broken quoting too) without reading their fields.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var records = 0;
        while (await _reader.ReadAsync(cancellationToken))
        {
            records++;
        }

        return records + TakeMalformed().Count;
    }

    /// <summary>The records skipped for broken quoting since the last call.</summary>
    public IReadOnlyList<RowError> TakeMalformed()
    {
        if (_malformed.Count == 0)
        {
            return [];
        }

        var taken = _malformed.ToList();
        _malformed.Clear();
        return taken;
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "A quote inside an unquoted field: quote the whole field and double the quotes in it.",
        CsvMalformedReason.TextAfterClosingQuote => "Text after the closing quote of a field.",
        CsvMalformedReason.UnterminatedQuote => "A quoted field is never closed (everything from this line to the end of the file is unreadable).",
        CsvMalformedReason.FieldCountMismatch => "The line does not have as many fields as the header.",
        _ => $"The line is not valid CSV ({reason}).",
    };

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
