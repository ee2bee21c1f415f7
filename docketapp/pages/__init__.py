"""The site layer's pages: the ones that show patents and deadlines together (the docket home, the matter list
and the matter page). patents never imports deadlines; these pages may import both apps.

They keep the URL names they always had (``patents:home``, ``patents:matter-list``, ``patents:matter-detail``):
templates, e-mails and bookmarks use them. docketapp/urls.py mounts them in the ``patents`` namespace.
"""
