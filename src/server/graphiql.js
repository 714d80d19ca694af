// GraphiQL on this server's /graphql. A file of its own, not inline, so the page's
// content security policy allows no inline script.
const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: '{\n  search(query: "親が80代で、50代の息子がずっと家にいる", first: 5) {\n    detectedNeeds { label }\n    edges { node { resource { name contacts { phone } } reason } }\n  }\n}\n',
  }),
);
