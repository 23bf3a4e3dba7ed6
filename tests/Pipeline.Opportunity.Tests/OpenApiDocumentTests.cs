using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

[Collection(OpportunityCollection.Name)]
public sealed class OpenApiDocumentTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task Every_route_documents_its_answers_and_the_web_client_was_generated_from_this_document()
    {
        var document = await OpenApiDocuments.FetchAsync(service.AnonymousClient());

        Assert.Empty(OpenApiDocuments.UndocumentedResponses(document));
        var move = document["paths"]!["/api/opportunities/{id}/stage"]!["post"]!;
        Assert.Contains(move["parameters"]!.AsArray(), p => (string?)p!["name"] == "If-Match");
        Assert.NotNull(move["responses"]!["412"]);
        OpenApiDocuments.AssertClientCopyMatches("opportunity", document);
    }
}
