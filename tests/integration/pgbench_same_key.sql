-- Every client saves the same checkpoint key again and again.
SELECT pgmem_checkpoint_save('race', jsonb_build_object('client', :client_id, 'n', random()), 'same-key');
