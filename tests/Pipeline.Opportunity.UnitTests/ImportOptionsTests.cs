using Pipeline.Opportunity.Import;

namespace Pipeline.Opportunity.UnitTests;

public sealed class ImportOptionsTests
{
    [Fact]
    public void A_foreign_exports_options_map_columns_translate_values_fill_amounts_and_read_dates()
    {
        var errors = new Dictionary<string, string[]>();
        var options = ImportOptions.Parse("""
            { "columns": { "product": "title", "deal_stage": ["status", "stage"], "close_value": "amount" },
              "values": { "status": { "Won": "won", "Engaging": "open" } },
              "fill": { "amount": { "fromColumn": "product", "values": { "GTX Pro": 4821 } } },
              "dateFormat": "dd-MM-yy", "defaults": { "currency": "USD", "lostReason": null }, "delimiter": ";" }
            """, errors);

        Assert.Empty(errors);
        Assert.Equal([CsvField.Status, CsvField.Stage], options.Columns["DEAL_STAGE"]);
        Assert.Equal("won", options.Values[CsvField.Status]["won"]);
        Assert.Equal(new ImportOptions.FillRule("product", new Dictionary<string, string> { ["GTX Pro"] = "4821" }).FromColumn, options.Fill[CsvField.Amount].FromColumn);
        Assert.Equal("4821", options.Fill[CsvField.Amount].Values!["gtx pro"]);
        Assert.Equal(("dd-MM-yy", ';'), (options.DateFormat, options.Delimiter));
        Assert.Equal(("USD", ""), (options.Defaults[CsvField.Currency], options.Defaults[CsvField.LostReason]));
    }

    [Fact]
    public void Every_unknown_option_and_field_is_named_at_once()
    {
        var errors = new Dictionary<string, string[]>();
        ImportOptions.Parse("""
            { "columns": { "a": "price", "b": ["title", "colour"] }, "values": { "size": {} }, "delimeter": ";", "dateFormat": "banana" }
            """, errors);

        Assert.Equal(["options.columns.a", "options.columns.b", "options.dateFormat", "options.delimeter", "options.values.size"], errors.Keys.Order());
        Assert.Contains("'colour'", errors["options.columns.b"][0]);
        Assert.Contains("Unknown option", errors["options.delimeter"][0]);
    }

    [Theory]
    [InlineData("""{ "columns": """, "options", "not valid JSON")]
    [InlineData("""[1, 2]""", "options", "JSON object")]
    [InlineData("""{ "values": { "status": ["won"] } }""", "options.values.status", "source value")]
    [InlineData("""{ "fill": { "amount": { "from": "product" } } }""", "options.fill.amount.from", "fromColumn")]
    [InlineData("""{ "fill": { "amount": { "values": {} } } }""", "options.fill.amount.fromColumn", "required")]
    [InlineData("""{ "delimiter": ";;" }""", "options.delimiter", "One ASCII character")]
    public void Options_of_the_wrong_shape_are_refused_naming_where(string json, string key, string message)
    {
        var errors = new Dictionary<string, string[]>();
        ImportOptions.Parse(json, errors);
        Assert.True(errors.ContainsKey(key), string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
        Assert.Contains(message, errors[key][0]);
    }

    [Theory]
    [InlineData("20-10-16", "dd-MM-yy", "2016-10-20T00:00:00Z")]
    [InlineData("10/20/2016", "MM/dd/yyyy", "2016-10-20T00:00:00Z")]
    [InlineData("2016-10-20T14:30:00+02:00", null, "2016-10-20T12:30:00Z")]
    [InlineData("2016-10-20", "dd-MM-yy", "2016-10-20T00:00:00Z")]
    public void Dates_are_read_in_the_files_format_or_ISO_8601_and_without_a_zone_as_UTC(string text, string? format, string expected)
    {
        Assert.True(ImportRow.TryParseMoment(text, format, out var moment));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), moment);
    }
}
