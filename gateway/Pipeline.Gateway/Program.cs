using Pipeline.Gateway;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults(ServicesReadiness.WriteAsync);
app.MapGateway();

app.Run();
