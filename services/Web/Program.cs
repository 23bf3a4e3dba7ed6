using Pipeline.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddWebService();

var app = builder.Build();
app.UseWebService();

app.Run();
