using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>The API reference at /api/reference and generated clients read every answer of every route from this document.</summary>
[Collection(ReportingCollection.Name)]
public sealed class OpenApiDocumentTests(ReportingServiceFixture service)
{
    [Fact]
    public async Task Every_route_documents_its_answers_and_the_web_client_was_generated_from_this_document()
    {
        using var client = await service.ReportingClientAsync(DemoUsers.AcmeAdmin);

        var document = await OpenApiDocuments.FetchAsync(client);

        Assert.Empty(OpenApiDocuments.UndocumentedResponses(document));
        OpenApiDocuments.AssertClientCopyMatches("reporting", document);
    }
}
