// GraphiQL from vendored files (no CDN). Paste a token into the headers panel as
// {"Authorization": "Bearer …"}.
(function () {
  "use strict";
  var url = window.location.href.split("?")[0];
  var ws = url.replace(/^http/, "ws");
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: ws });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
