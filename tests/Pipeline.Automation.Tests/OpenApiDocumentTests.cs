using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>The API reference at /api/reference and generated clients read every answer of every route from this document.</summary>
[Collection(AutomationCollection.Name)]
public sealed class OpenApiDocumentTests(AutomationServiceFixture service)
{
    [Fact]
    public async Task Every_route_documents_its_answers_and_the_web_client_was_generated_from_this_document()
    {
        using var client = await service.ClientAsync(DemoUsers.Alice);

        var document = await OpenApiDocuments.FetchAsync(client);

        Assert.Empty(OpenApiDocuments.UndocumentedResponses(document));
        OpenApiDocuments.AssertClientCopyMatches("automation", document);
    }
}
